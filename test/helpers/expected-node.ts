/**
 * Vitest setup file for every suite (unit and integration, interop, e2e). `.ci/run` runs the
 * suite once per supported Node and names that Node's major version in EXPECTED_NODE_MAJOR: a
 * test file running on any other Node fails at once, so a run can never pass on the wrong
 * runtime (the servers the tests spawn use process.execPath, so they run on this Node too).
 */
const expected = process.env.EXPECTED_NODE_MAJOR;
const actual = process.versions.node.split('.')[0];

if (expected !== undefined && expected !== '' && expected !== actual) {
  throw new Error(`the tests run on Node ${process.version}, but Node ${expected} was asked for`);
}
