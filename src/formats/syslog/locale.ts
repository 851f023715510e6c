/**
 * Month and weekday names of a locale, from Intl (the JDK's locale data plays this part in Logstash).
 * Keys are lower case; abbreviations are stored with and without a trailing dot (`févr.` and `févr`).
 */

export interface LocaleNames {
  /** name → month 1..12 (short and full names). */
  months: Map<string, number>;
  /** name → ISO weekday 1 (Monday) .. 7 (short and full names). */
  weekdays: Map<string, number>;
  /** `AM`/`PM` markers, lower case → 0 (AM) or 1 (PM). */
  ampm: Map<string, number>;
}

const cache = new Map<string, LocaleNames | null>();

function add(map: Map<string, number>, name: string, v: number): void {
  const k = name.toLowerCase().normalize('NFC');
  if (!map.has(k)) map.set(k, v);
  if (k.endsWith('.') && !map.has(k.slice(0, -1))) map.set(k.slice(0, -1), v);
}

/** Names for a BCP 47 or POSIX (`en_US`) tag; undefined when Intl does not know the tag. */
export function localeNames(tag: string): LocaleNames | undefined {
  const key = tag.replace(/_/g, '-');
  if (cache.has(key)) return cache.get(key) ?? undefined;
  let out: LocaleNames | null = null;
  try {
    const [canon] = Intl.getCanonicalLocales(key);
    if (canon) {
      const months = new Map<string, number>();
      const weekdays = new Map<string, number>();
      const ampm = new Map<string, number>();
      for (const style of ['short', 'long'] as const) {
        // Month names as they appear in a date (format form), and alone (standalone form).
        const inDate = new Intl.DateTimeFormat(canon, { month: style, day: 'numeric', timeZone: 'UTC' });
        const alone = new Intl.DateTimeFormat(canon, { month: style, timeZone: 'UTC' });
        for (let m = 1; m <= 12; m++) {
          const d = new Date(Date.UTC(2021, m - 1, 15));
          const part = inDate.formatToParts(d).find((p) => p.type === 'month');
          if (part) add(months, part.value, m);
          add(months, alone.format(d), m);
        }
        const wd = new Intl.DateTimeFormat(canon, { weekday: style, timeZone: 'UTC' });
        for (let i = 1; i <= 7; i++) add(weekdays, wd.format(new Date(Date.UTC(2021, 2, i))), i); // 2021-03-01 is a Monday
      }
      const hf = new Intl.DateTimeFormat(canon, { hour: 'numeric', hourCycle: 'h12', timeZone: 'UTC' });
      for (const [h, v] of [[3, 0], [15, 1]] as const) {
        const part = hf.formatToParts(new Date(Date.UTC(2021, 0, 1, h))).find((p) => p.type === 'dayPeriod');
        if (part) add(ampm, part.value, v);
      }
      out = { months, weekdays, ampm };
    }
  } catch {
    out = null;
  }
  cache.set(key, out);
  return out ?? undefined;
}

/** Month names of a locale, for RFC 3164 timestamps. */
export function monthNamesFor(tag: string): ReadonlyMap<string, number> | undefined {
  return localeNames(tag)?.months;
}
