/*
 * What the .cjs checkers share: @grafana/data loaded in Node, and "ok - " /
 * "not ok - " lines with a failure count for the exit status.
 */
'use strict';

// @grafana/data reads browser globals at load time; it needs nothing else.
globalThis.window = globalThis;
globalThis.navigator ??= { userAgent: 'node' };
const grafanaData = require('@grafana/data');

let failures = 0;

function report(ok, name, why) {
	if (ok) {
		console.log(`ok - ${name}`);
	} else {
		failures++;
		console.log(`not ok - ${name}: ${why}`);
	}
}

/* Prints the summary and exits 1 when anything failed. */
function finish() {
	console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
	process.exit(failures ? 1 : 0);
}

module.exports = { grafanaData, report, finish };
