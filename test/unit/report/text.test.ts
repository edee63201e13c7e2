import { expect } from 'chai';
import { displayWidth, oneLine, truncate, visible, wrap } from '../../../src/report/text.ts';

describe('report text helpers', () => {
  it('shows control characters and lone surrogates visibly, keeping line breaks, tabs and pairs', () => {
    expect(visible('a\u001b[31mb\u0007\tc\r\nd\re\u0000\u007f\u0085')).to.equal('a\\x1b[31mb\\x07\tc\nd\ne\\x00\\x7f\\x85');
    expect(visible('lone \ud800 and \udc00, pair 🚀, \uffff')).to.equal('lone \ufffd and \ufffd, pair 🚀, \\uffff');
  });

  it('flattens text to one line', () => {
    expect(oneLine('a\nb\r\nc\td\u001b')).to.equal('a b c d\\x1b');
  });

  it('measures terminal columns: wide CJK and emoji, zero-width marks, no colour codes', () => {
    expect(displayWidth('abc')).to.equal(3);
    expect(displayWidth('数据库')).to.equal(6);
    expect(displayWidth('🚀')).to.equal(2);
    expect(displayWidth('e\u0301')).to.equal(1);
    expect(displayWidth('\u001b[31mred\u001b[39m')).to.equal(3);
  });

  it('truncates to a width with an ellipsis, counting wide characters', () => {
    expect(truncate('abcdef', 6)).to.equal('abcdef');
    expect(truncate('abcdef', 4)).to.equal('abc…');
    expect(truncate('数据库数据库', 5)).to.equal('数据…');
  });

  it('wraps at spaces and leaves a long word whole', () => {
    expect(wrap('aa bb cc dd', 5)).to.deep.equal(['aa bb', 'cc dd']);
    expect(wrap('x https://very.long.example/path y', 10)).to.deep.equal(['x', 'https://very.long.example/path', 'y']);
    expect(wrap('', 10)).to.deep.equal(['']);
  });
});
