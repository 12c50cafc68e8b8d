/*
 * yamlcat - the ceiling for a YAML filter: libyaml parses events from stdin
 * and emits the same events to stdout, building nothing in between.
 */
#include <stdio.h>
#include <stdlib.h>

#include <yaml.h>

int
main(void)
{
	yaml_parser_t p;
	yaml_emitter_t e;
	yaml_event_t ev;
	int done = 0;

	yaml_parser_initialize(&p);
	yaml_emitter_initialize(&e);
	yaml_parser_set_input_file(&p, stdin);
	yaml_emitter_set_output_file(&e, stdout);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "yamlcat: %s\n", p.problem);
			return 1;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		if (!yaml_emitter_emit(&e, &ev)) {
			fprintf(stderr, "yamlcat: %s\n", e.problem);
			return 1;
		}
	}
	yaml_parser_delete(&p);
	yaml_emitter_delete(&e);
	return 0;
}
