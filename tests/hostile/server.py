# A misbehaving HTTP server on loopback for tests/hostile.bats.  It prints
# its port, then serves one behaviour to every connection:
#   hold      accept and never answer
#   echo401   401 with a Status whose message echoes the Authorization header
#   echo403   the same with 403
#   nomsg404  404 with an empty body
#   big       200 with a body of SIZE bytes (argv[2])
import socket
import sys
import threading

mode = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 0
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(64)
print(srv.getsockname()[1], flush=True)
held = []


def reply(c, status, body, ctype="application/json"):
    head = "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        status, ctype, len(body))
    c.sendall(head.encode() + body)


def serve(c):
    data = b""
    while b"\r\n\r\n" not in data:
        got = c.recv(65536)
        if not got:
            return
        data += got
    head = data.split(b"\r\n\r\n")[0].decode("latin-1")
    if mode in ("echo401", "echo403"):
        # What some proxies do: put the request's credentials in the error.
        auth = [h for h in head.split("\r\n") if h.lower().startswith("authorization:")]
        text = auth[0] if auth else "no authorization"
        body = ('{"kind":"Status","apiVersion":"v1","status":"Failure","message":"denied: %s"}' % text).encode()
        reply(c, "401 Unauthorized" if mode == "echo401" else "403 Forbidden", body)
    elif mode == "nomsg404":
        reply(c, "404 Not Found", b"")
    elif mode == "big":
        chunk = b"x" * 65536
        c.sendall(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size).encode())
        sent = 0
        while sent < size:
            c.sendall(chunk[:min(len(chunk), size - sent)])
            sent += min(len(chunk), size - sent)
    c.close()


while True:
    conn, _ = srv.accept()
    if mode == "hold":
        held.append(conn)
        continue
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
