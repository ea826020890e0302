// pino JSON logger with redaction of anything secret-shaped.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'authorization',
  'cookie',
  'password',
  'sk',
  'ak',
  'token',
  'securityToken',
  'sessionSecret',
  'csrfToken',
  'dbUserPassword',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.password',
  '*.sk',
  '*.ak',
  '*.token',
  '*.securityToken',
  '*.sessionSecret',
  '*.csrfToken',
  '*.dbUserPassword',
  '*["x-csrf-token"]',
  '*["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'quell-bff' } }, destination);
}
