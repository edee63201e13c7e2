// A kubeconfig that does not load: the message says where (file:line:col) and never quotes it, since a
// kubeconfig holds tokens and keys (the YAML parser's own message shows the lines around the error).
import { expect } from 'chai';
import { ClusterConfigError, connect } from '../../../src/cluster/connect.ts';

const DIR = 'test/fixtures/kubeconfig';

function failure(file: string): string {
  try {
    connect({ kubeconfig: `${DIR}/${file}` });
  } catch (err) {
    expect(err).to.be.instanceOf(ClusterConfigError);
    return (err as Error).message;
  }
  throw new Error(`${file} loaded`);
}

describe('kubeconfig errors', () => {
  for (const [file, at, reason] of [
    ['bad-indent.yaml', '12:4', 'YAML syntax error: bad indentation of a mapping entry'],
    ['unclosed-quote.yaml', '8:1', 'YAML syntax error: deficient indentation'],
    // The parser's reason quotes the tag here: only the location is given.
    ['secret-tag.yaml', '7:12', 'YAML syntax error (the line is not shown'],
  ] as const) {
    it(`${file}: ${at}, no line text, no token or key`, () => {
      const message = failure(file);
      expect(message).to.contain(`cannot load kubeconfig ${DIR}/${file}:${at}: ${reason}`);
      expect(message.split('\n')).to.have.length(1);
      for (const leak of ['SECRET', 'U0VDUkVU', 'token', 'client-key-data', 'client-certificate-data']) expect(message).not.to.contain(leak);
    });
  }
});
