// Prints jest's totals as one plain line, and saves them as JSON where JEST_JSON_OUTPUT says (CI).
const { writeFileSync } = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTotalTests, numFailedTestSuites, success } = results;
    if (process.env.JEST_JSON_OUTPUT) {
      writeFileSync(process.env.JEST_JSON_OUTPUT, JSON.stringify({ numPassedTests, numFailedTests, numPendingTests, numTotalTests, numFailedTestSuites, success }));
    }
    process.stdout.write(`\n${numPassedTests} passed, ${numFailedTests} failed\n`);
  }
}
module.exports = SummaryReporter;
