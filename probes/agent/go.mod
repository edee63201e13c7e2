module netprobe/probes/agent

go 1.24
