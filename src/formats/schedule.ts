/**
 * Cron schedules as Logstash's scheduler mixin takes them (rufus-scheduler cron lines): five fields
 * (minute hour day-of-month month day-of-week) or six with seconds first, optionally followed by a time
 * zone (`0 6 * * * America/Chicago`); without one, local time. Parsed by cron-parser.
 */
import { CronExpressionParser } from 'cron-parser';

export class ScheduleError extends Error {}

export interface Schedule {
  /** The first time strictly after `after` at which the schedule fires. */
  next(after: Date): Date;
}

function isTimeZone(name: string): boolean {
  try { new Intl.DateTimeFormat('en-US', { timeZone: name }); return true; } catch { return false; }
}

export function compileSchedule(text: string): Schedule {
  const tokens = text.trim().split(/\s+/).filter((t) => t !== '');
  let tz: string | undefined;
  if (tokens.length >= 6 && /[A-Za-z]/.test(tokens[tokens.length - 1]!) && isTimeZone(tokens[tokens.length - 1]!)) tz = tokens.pop();
  if (tokens.length < 5 || tokens.length > 6) throw new ScheduleError(`invalid cron line ${JSON.stringify(text)}: expected 5 or 6 fields (with seconds first), then an optional time zone`);
  const expr = tokens.join(' ');
  const options = tz === undefined ? {} : { tz };
  try { CronExpressionParser.parse(expr, options); } catch (e) { throw new ScheduleError(`invalid cron line ${JSON.stringify(text)}: ${(e as Error).message}`); }
  return {
    next(after) {
      return CronExpressionParser.parse(expr, { ...options, currentDate: after }).next().toDate();
    },
  };
}
