#include <stdio.h>
#include <string.h>

#include "emit.h"
#include "hcl.h"
#include "node.h"
#include "util.h"

void
hcl_string(struct buf *b, const char *s, size_t n)
{
	unsigned char c;
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		case '$':
		case '%':
			/* A doubled introducer is a literal one. */
			buf_addc(b, c);
			if (i + 1 < n && s[i + 1] == '{')
				buf_addc(b, c);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\u%04x", c);
			else
				buf_addc(b, c);
		}
	}
	buf_addc(b, '"');
}

int
hcl_ident(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-'))
			return 0;
	return 1;
}

static void
indent_to(struct buf *b, int level)
{
	int i;

	for (i = 0; i < level; i++)
		buf_adds(b, "  ");
}

void
hcl_value(struct buf *b, const struct node *v, int indent)
{
	size_t i;

	switch (v->type) {
	case NODE_NULL:
		buf_adds(b, "null");
		break;
	case NODE_BOOL:
		buf_adds(b, v->b ? "true" : "false");
		break;
	case NODE_INT:
		buf_add(b, v->u.s, v->len);
		break;
	case NODE_FLOAT:
		emit_float_json(b, v->u.d);
		break;
	case NODE_STR:
		hcl_string(b, v->u.s, v->len);
		break;
	case NODE_SEQ:
		if (v->len == 0) {
			buf_adds(b, "[]");
			break;
		}
		buf_adds(b, "[\n");
		for (i = 0; i < v->len; i++) {
			indent_to(b, indent + 1);
			hcl_value(b, v->u.items[i], indent + 1);
			buf_adds(b, ",\n");
		}
		indent_to(b, indent);
		buf_addc(b, ']');
		break;
	case NODE_MAP:
		if (v->len == 0) {
			buf_adds(b, "{}");
			break;
		}
		buf_adds(b, "{\n");
		for (i = 0; i < v->len; i++) {
			indent_to(b, indent + 1);
			hcl_string(b, v->u.pairs[i].key->u.s,
			    v->u.pairs[i].key->len);
			buf_adds(b, " = ");
			hcl_value(b, v->u.pairs[i].val, indent + 1);
			buf_addc(b, '\n');
		}
		indent_to(b, indent);
		buf_addc(b, '}');
		break;
	}
}

void
hcl_attr(struct buf *b, const char *name, const struct node *v)
{
	buf_adds(b, name);
	buf_adds(b, " = ");
	hcl_value(b, v, 0);
	buf_addc(b, '\n');
}

void
hcl_body(struct buf *b, const struct node *map)
{
	size_t i;

	for (i = 0; i < map->len; i++)
		hcl_attr(b, map->u.pairs[i].key->u.s, map->u.pairs[i].val);
}
