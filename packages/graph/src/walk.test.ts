import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postOrder } from './walk.ts';

interface Tree {
  name: string;
  kids: Tree[];
}
const kid = (node: Tree, index: number) => node.kids[index];

/** The reference: the textbook recursive post-order (fine for the small trees it is given). */
function recursive(node: Tree, out: string[] = []): string[] {
  for (const k of node.kids) recursive(k, out);
  out.push(node.name);
  return out;
}

/** A random tree: node i + 1 hangs under one of the nodes before it (any shape, up to 40 nodes). */
const trees = fc.array(fc.nat(), { maxLength: 40 }).map((parents) => {
  const nodes: Tree[] = [{ name: '0', kids: [] }];
  parents.forEach((p, i) => {
    const node: Tree = { name: String(i + 1), kids: [] };
    nodes[p % nodes.length]!.kids.push(node);
    nodes.push(node);
  });
  return nodes[0]!;
});

describe('postOrder', () => {
  it('leaves every node after its children, left to right, as the recursive walk does', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        const order: string[] = [];
        postOrder(tree, kid, (n) => order.push(n.name));
        expect(order).toEqual(recursive(tree));
      }),
    );
  });

  it('enters in pre-order, and skips the subtree (and its leave) of a node enter refuses', () => {
    const c: Tree = { name: 'c', kids: [] };
    const b: Tree = { name: 'b', kids: [{ name: 'b1', kids: [] }] };
    const a: Tree = { name: 'a', kids: [b, c] };
    const entered: string[] = [];
    const left: string[] = [];
    postOrder(a, kid, (n) => left.push(n.name), (n) => (entered.push(n.name), n !== b));
    expect(entered).toEqual(['a', 'b', 'c']);
    expect(left).toEqual(['c', 'a']);
    const none: string[] = [];
    postOrder(a, kid, (n) => none.push(n.name), () => false);
    expect(none).toEqual([]);
  });

  it('visits a node shared by several parents once when enter answers false for one already done', () => {
    const shared: Tree = { name: 's', kids: [{ name: 'leaf', kids: [] }] };
    const root: Tree = { name: 'r', kids: [shared, { name: 'p', kids: [shared] }, shared] };
    const done = new Set<Tree>();
    const order: string[] = [];
    postOrder(root, kid, (n) => (done.add(n), order.push(n.name)), (n) => !done.has(n));
    expect(order).toEqual(['leaf', 's', 'p', 'r']);
  });

  it('walks a chain 200,000 deep without recursion', () => {
    let chain: Tree = { name: '0', kids: [] };
    for (let i = 1; i < 200_000; i++) chain = { name: String(i), kids: [chain] };
    let count = 0;
    let first: string | undefined;
    postOrder(chain, kid, (n) => {
      first ??= n.name;
      count++;
    });
    expect(count).toBe(200_000);
    expect(first).toBe('0');
  });
});
