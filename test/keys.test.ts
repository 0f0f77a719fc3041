import { describe, expect, it } from 'vitest';
import { compareGroups, groupId } from '../pipeline/core/keys.js';

describe('groupId()', () => {
  it.each([
    [{ model: 'llama2-70b', hardware: 'a100-80gb', tensor_parallel: 2 }, 'llama2-70b/a100-80gb/tp=2'],
    [{ model: 'a/b', hardware: 'c', tensor_parallel: 2 }, 'a%2Fb/c/tp=2'],
    [{ model: 'a', hardware: 'b/c', tensor_parallel: 2 }, 'a/b%2Fc/tp=2'],
    [{ model: '50%', hardware: 'x', tensor_parallel: 1 }, '50%25/x/tp=1'],
  ])('names %o as %s', (key, id) => {
    expect(groupId(key)).toBe(id);
  });

  it('gives two groups that differ only in where a slash falls different ids', () => {
    expect(groupId({ model: 'a/b', hardware: 'c', tensor_parallel: 2 })).not.toBe(groupId({ model: 'a', hardware: 'b/c', tensor_parallel: 2 }));
  });
});

describe('compareGroups()', () => {
  it('orders by model and hardware in code-unit order, then tensor_parallel numerically', () => {
    const groups = [
      { model: 'b', hardware: 'x', tensor_parallel: 8 },
      { model: 'a', hardware: 'y', tensor_parallel: 2 },
      { model: 'a', hardware: 'y', tensor_parallel: 10 },
      { model: 'B', hardware: 'z', tensor_parallel: 1 },
    ];
    expect([...groups].sort(compareGroups).map(groupId)).toEqual(['B/z/tp=1', 'a/y/tp=2', 'a/y/tp=10', 'b/x/tp=8']);
  });
});
