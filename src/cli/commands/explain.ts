// `netprobe explain --policies PATH... --from REF --to REF --port P`: the walk through the policies for
// one connection, readable. No cluster needed.
import type { Command } from '../main.ts';
import { UsageError, parseCommandArgs } from '../main.ts';
import { EXIT } from '../../verdict/model.ts';
import { explain } from '../../policy/explain.ts';
import { resolveEndpointRef } from '../../policy/peers.ts';
import type { L4Protocol } from '../../model/cluster.ts';
import { readPolicyInputs } from '../policy-inputs.ts';

const USAGE = `netprobe explain --policies PATH... --from REF --to REF --port PORT [--protocol TCP|UDP|SCTP]

Shows, for one connection, how the NetworkPolicies in the manifests under PATH decide it: the source's
egress and the destination's ingress, every policy of their namespaces, and for each rule which peer
and port matched or why not. No cluster needed.

REF: ns/pod (a Pod, or a workload's representative pod, by name), ns/key=value[,key=value] (the first
pod with these labels, else a stand-in carrying them), an IP address, or a CIDR (its first address).
PORT: a number, or a container port name of the destination.

Flags:
  --policies PATH   manifest file or folder (*.yaml, *.yml, *.json); repeatable, required
  --from REF        the source (required)
  --to REF          the destination (required)
  --port PORT       the destination port (required)
  --protocol P      TCP (default), UDP or SCTP
  -h, --help        show this help

Exit codes: 0 explained (whatever the verdict), 2 invalid input or usage.
`;

const PROTOCOLS: readonly L4Protocol[] = ['TCP', 'UDP', 'SCTP'];

export const command: Command = {
  name: 'explain',
  summary: 'show how the policies decide one connection, rule by rule',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      policies: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string' },
      protocol: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const policyPaths = values.policies ?? [];
    if (policyPaths.length === 0) throw new UsageError('no --policies PATH given');
    if (values.from === undefined || values.to === undefined || values.port === undefined) {
      throw new UsageError('--from, --to and --port are required');
    }
    const protocol = (values.protocol ?? 'TCP').toUpperCase();
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new UsageError(`--protocol ${values.protocol}: expected TCP, UDP or SCTP`);
    const port = /^\d+$/.test(values.port) ? Number(values.port) : { name: values.port };
    if (typeof port === 'number' && (port < 1 || port > 65535)) throw new UsageError(`--port ${values.port}: expected 1-65535 or a port name`);
    const inputs = await readPolicyInputs('explain', policyPaths, io);
    if (inputs === undefined) return EXIT.usage;
    const { manifests, engine } = inputs;
    const source = resolveEndpointRef(values.from, manifests);
    if (!source.ok) throw new UsageError(`--from ${source.reason}`);
    const destination = resolveEndpointRef(values.to, manifests);
    if (!destination.ok) throw new UsageError(`--to ${destination.reason}`);
    io.stdout(`${explain(engine, { source: source.endpoint, destination: destination.endpoint, port, protocol: protocol as L4Protocol })}\n`);
    return EXIT.ok;
  },
};
