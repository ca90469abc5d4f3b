// Log records go out through the OpenTelemetry Logs SDK: the SDK stamps each with the active span's
// trace and span ids, which is the correlation the bundle's logs need.
'use strict';
const { logs, SeverityNumber } = require('@opentelemetry/api-logs');

const SEVERITY = { debug: SeverityNumber.DEBUG, info: SeverityNumber.INFO, warn: SeverityNumber.WARN, error: SeverityNumber.ERROR };

function createLogger(service) {
  const otel = logs.getLogger(service);
  const emit = (level, message, attributes = {}) => {
    otel.emit({ severityNumber: SEVERITY[level], severityText: level.toUpperCase(), body: message, attributes });
    if (process.env.LAB_VERBOSE) process.stderr.write(`${service} ${level} ${message}\n`);
  };
  return {
    debug: (m, a) => emit('debug', m, a),
    info: (m, a) => emit('info', m, a),
    warn: (m, a) => emit('warn', m, a),
    error: (m, a) => emit('error', m, a),
  };
}

module.exports = { createLogger };
