#!/usr/bin/env python3
# What one probe in flight costs the agent: peak RSS of `netprobe-agent probe` with N probes of one kind
# in flight at once, against loopback servers that never answer (TCP: a listener that never accepts;
# HTTP: accepts and holds; HTTPS: completes the TLS handshake and holds; UDP and DNS: read, never reply).
# Loopback only. Usage (from the repository):
#   (cd probes/agent && go build -o /tmp/netprobe-agent .) && python3 bench/agent-memory.py 1 256 512
import json, os, socket, ssl, subprocess, sys, tempfile, threading

AGENT = os.environ.get('AGENT', '/tmp/netprobe-agent')
held = []
if not os.access(AGENT, os.X_OK):
    sys.exit(f'no agent at {AGENT}: build it first (see the top of this file) or set AGENT')

def listener(backlog):
    s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(backlog); return s

def accept_forever(s, wrap=None):
    def serve(c):
        try:
            if wrap: c = wrap(c); c.recv(4096)
            held.append(c)
        except OSError:
            pass
    def loop():
        while True:
            c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]

def tls_wrapper():
    d = tempfile.mkdtemp()
    key, cert = os.path.join(d, 'k.pem'), os.path.join(d, 'c.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=bench'], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(cert, key)
    return lambda c: ctx.wrap_socket(c, server_side=True)

def udp_sink():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0))
    threading.Thread(target=lambda: [s.recv(2048) for _ in iter(int, 1)], daemon=True).start()
    return s.getsockname()[1]

blackhole = listener(0)  # never accepted: once its queue is full, connects wait for their timeout
hold = accept_forever(listener(4096))
tls = accept_forever(listener(4096), tls_wrapper())
udp = udp_sink()
SPECS = {
    'tcp': lambda: {'kind': 'tcp', 'host': '127.0.0.1', 'port': blackhole.getsockname()[1]},
    'udp': lambda: {'kind': 'udp', 'host': '127.0.0.1', 'port': udp},
    'dns': lambda: {'kind': 'dns', 'name': 'x.example.', 'server': f'127.0.0.1:{udp}'},
    'http': lambda: {'kind': 'http', 'url': f'http://127.0.0.1:{hold}/'},
    'https': lambda: {'kind': 'http', 'url': f'https://127.0.0.1:{tls}/', 'insecure': True},
}

def peak_kb(kind, n):
    probes = [{'id': f'p{i}', 'timeoutMs': 5000, 'attempts': 1, **SPECS[kind]()} for i in range(n)]
    r = subprocess.run(['/usr/bin/time', '-f', '%M', AGENT, 'probe', '--batch', '-'], input=json.dumps({'probes': probes, 'concurrency': n}).encode(), capture_output=True)
    return int(r.stderr.decode().strip().splitlines()[-1])

counts = [int(a) for a in sys.argv[1:]] or [1, 256]
print('kind   ' + ''.join(f'{n:>10} probes' for n in counts) + '   KB per probe in flight')
for kind in SPECS:
    peaks = [peak_kb(kind, n) for n in counts]
    per = (peaks[-1] - peaks[0]) / max(1, counts[-1] - counts[0])
    print(f'{kind:6} ' + ''.join(f'{p:>12} KB' for p in peaks) + f'   {per:.0f}')
