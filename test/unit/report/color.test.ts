import { expect } from 'chai';
import { palette, styleFor, useColor, widthOf } from '../../../src/report/color.ts';

describe('colour decision', () => {
  const tty = { isTTY: true, columns: 132 };
  const pipe = { isTTY: false };

  it('colours a TTY and not a pipe', () => {
    expect(useColor(tty, {})).to.equal(true);
    expect(useColor(pipe, {})).to.equal(false);
    expect(useColor({}, {})).to.equal(false);
  });

  it('honours NO_COLOR when set and not empty', () => {
    expect(useColor(tty, { NO_COLOR: '1' })).to.equal(false);
    expect(useColor(tty, { NO_COLOR: '' })).to.equal(true);
  });

  it('lets FORCE_COLOR force colour on or off, over NO_COLOR and a pipe', () => {
    expect(useColor(pipe, { FORCE_COLOR: '1' })).to.equal(true);
    expect(useColor(pipe, { FORCE_COLOR: '' })).to.equal(true);
    expect(useColor(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).to.equal(true);
    expect(useColor(tty, { FORCE_COLOR: '0' })).to.equal(false);
    expect(useColor(tty, { FORCE_COLOR: 'false' })).to.equal(false);
  });

  it('does not colour TERM=dumb, and drops symbols there', () => {
    expect(useColor(tty, { TERM: 'dumb' })).to.equal(false);
    expect(styleFor(tty, { TERM: 'dumb' }).unicode).to.equal(false);
    expect(styleFor(tty, {})).to.deep.equal({ color: true, width: 132, unicode: true });
  });

  it('takes the width from the terminal, else COLUMNS, else 100', () => {
    expect(widthOf(tty, {})).to.equal(132);
    expect(widthOf(pipe, { COLUMNS: '90' })).to.equal(90);
    expect(widthOf(pipe, { COLUMNS: 'wide' })).to.equal(100);
    expect(widthOf(pipe, {})).to.equal(100);
  });

  it('has a palette that is the identity without colour', () => {
    expect(palette(false).red('x')).to.equal('x');
    expect(palette(true).red('x')).to.equal('\u001b[31mx\u001b[39m');
  });
});
