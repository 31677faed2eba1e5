// @ts-self-types="./money.d.ts"
// Money for display. The engine speaks integers in minor units (cents for
// EUR, yen for JPY, fils for KWD); these turn them into text without a float
// ever touching an amount: `Math.trunc(x / 100)` is exact for small x and
// silently off by one near 2^53, and a price page is the last place to find out.
// (No imports: tsc would drop the @ts-self-types line above with an elided one.)

/**
 * Minor units as an exact decimal string, by BigInt division and remainder:
 * `toDecimalString(129900, 2) === "1299.00"`, `toDecimalString(500, 0) === "500"`.
 * Throws a `RangeError` for anything but a safe integer.
 */
export function toDecimalString(minor: number, exponent: number): `${number}` {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`);
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 18) throw new RangeError(`not a minor-unit exponent: ${exponent}`);
  const unit = 10n ** BigInt(exponent);
  const value = BigInt(minor);
  const abs = value < 0n ? -value : value;
  const sign = value < 0n ? "-" : "";
  const whole = abs / unit;
  if (exponent === 0) return `${sign}${whole}` as `${number}`;
  return `${sign}${whole}.${(abs % unit).toString().padStart(exponent, "0")}` as `${number}`;
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * `formatMoney(9675, { code: "EUR", exponent: 2 }) === "€96.75"` (locale
 * `en-US` by default). `Intl.NumberFormat` reads the decimal *string*
 * exactly — it never goes through a double — and adds the symbol and digit
 * grouping; a code Intl refuses (not three letters) still gets an exact `"EURO 12.50"`.
 */
export function formatMoney(minor: number, currency: { code: string; exponent: number }, locale = "en-US"): string {
  const decimal = toDecimalString(minor, currency.exponent);
  const key = `${locale}|${currency.code}|${currency.exponent}`;
  let format = formats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, {
        style: "currency",
        currency: currency.code,
        minimumFractionDigits: currency.exponent,
        maximumFractionDigits: currency.exponent,
      });
    } catch {
      return `${currency.code} ${decimal}`;
    }
    formats.set(key, format);
  }
  // A string argument is read as an exact decimal (Intl.NumberFormat v3, ES2023).
  return format.format(decimal);
}
