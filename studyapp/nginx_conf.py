"""The nginx configuration in front of several app instances, as text (pure).

- **Sticky by a routing cookie**, not `ip_hash` (a school's learners behind one NAT would all
  land on one instance): the first response sets `study_route` to that request's random id;
  the upstream is chosen by a consistent hash of the cookie (or, before there is one, of the
  request id — the same value the cookie gets), so a browser stays on one instance and new
  browsers spread. Gradio keeps a page's state in the process that served it, so this matters.
- **An instance that stops answering is taken out**: one failed connection marks it down for
  `fail_timeout`; the consistent hash then sends its browsers to another instance (where they
  log in again: sessions live in the process that made them), and a request that could not be
  connected is retried there (`proxy_next_upstream`).
- **Streaming and websockets pass**: HTTP/1.1 upstream, Upgrade/Connection headers, no
  buffering either way, long read timeouts (Gradio streams results as server-sent events).
- Everything nginx writes — pid, logs, temporary files — is in the run folder; the access log
  names the upstream of every request (`upstream=`), so its lines count the requests per instance.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

ROUTE_COOKIE = "study_route"
FAIL_TIMEOUT_S = 10
MAX_BODY_MB = 60  # the largest upload (a 50 MB PDF) and some room


def render(run_dir: Path, listen: str, port: int, upstreams: Sequence[int]) -> str:
    """nginx.conf for `nginx -p RUN -c RUN/nginx.conf -e RUN/nginx-error.log -g 'daemon off;'`."""
    run = Path(run_dir).resolve()
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s;" for p in upstreams)
    temp = "\n".join(f"    {kind}_temp_path {run / 'tmp' / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# written by `python -m tutor serve` — regenerated at every start
worker_processes 1;
pid {run / 'nginx.pid'};
error_log {run / 'nginx-error.log'} warn;
events {{ worker_connections 2048; }}

http {{
    log_format study '$time_iso8601 $remote_addr "$request" $status $body_bytes_sent '
                     'upstream=$upstream_addr rt=$request_time route=$cookie_{ROUTE_COOKIE}';
    access_log {run / 'nginx-access.log'} study;
{temp}
    client_max_body_size {MAX_BODY_MB}m;
    server_tokens off;

    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # the routing key: the browser's cookie, else this request's id (which becomes the cookie)
    map $cookie_{ROUTE_COOKIE} $study_route {{ '' $request_id; default $cookie_{ROUTE_COOKIE}; }}
    map $cookie_{ROUTE_COOKIE} $study_route_cookie {{
        '' '{ROUTE_COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax';
        default '';
    }}

    upstream study_app {{
        hash $study_route consistent;
{servers}
    }}

    server {{
        listen {listen}:{port};
        location / {{
            proxy_pass http://study_app;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_cache off;
            proxy_connect_timeout 2s;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
            add_header Set-Cookie $study_route_cookie always;
            add_header X-Study-Upstream $upstream_addr always;
        }}
    }}
}}
"""
