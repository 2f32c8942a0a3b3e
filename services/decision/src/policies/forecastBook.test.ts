import { describe, expect, it } from 'vitest';
import { ForecastBook } from './forecastBook.js';

describe('ForecastBook', () => {
  it('keeps the latest hits per cluster and forgets the least recently updated past its bound', () => {
    const book = new ForecastBook(2);
    book.record('c1', 'a', 1);
    book.record('c1', 'b', 2);
    book.record('c2', 'a', 9);
    book.record('c1', 'a', 3); // a is now the most recent in c1
    book.record('c1', 'c', 4); // evicts b
    expect([book.hitsOf('c1', 'a'), book.hitsOf('c1', 'b'), book.hitsOf('c1', 'c')]).toEqual([
      3,
      undefined,
      4,
    ]);
    expect(book.hitsOf('c2', 'a')).toBe(9);
    expect(book.size('c1')).toBe(2);
  });

  it('keeps the contention count across new forecasts of the same resource', () => {
    const book = new ForecastBook(10);
    book.record('c1', 'a', 1);
    book.setContendedWindows('c1', 'a', 2);
    book.record('c1', 'a', 5);
    expect(book.contendedWindows('c1', 'a')).toBe(2);
    expect(book.contendedWindows('c1', 'missing')).toBe(0);
  });
});
