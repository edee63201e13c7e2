import { expect } from 'chai';
describe('toolchain', () => {
  it('runs TypeScript on a supported Node', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect(major! > 22 || (major === 22 && minor! >= 19)).to.equal(true);
  });
});
