// Money on the page. The engine speaks integers in minor units (cents for
// EUR, yen for JPY, fils for KWD); this file turns them into text without a
// float ever touching an amount: 1999 / 100 in floating point is fine, but
// 0.1 + 0.2 is not, and a price page is the last place to find out which.

/** A snapshot's currency: ISO 4217 code and the number of minor-unit digits. */
export interface Currency {
  code: string;
  exponent: number;
}

type Decimal = `${number}`;

/**
 * Minor units as an exact decimal string by integer division and remainder
 * (BigInt): `toDecimal(129900, 2) === "1299.00"`, `toDecimal(500, 0) === "500"`.
 */
export function toDecimal(minor: number, exponent: number): Decimal {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`);
  const unit = 10n ** BigInt(exponent);
  const value = BigInt(minor);
  const abs = value < 0n ? -value : value;
  const sign = value < 0n ? "-" : "";
  const whole = abs / unit;
  if (exponent === 0) return `${sign}${whole}` as Decimal;
  const fraction = (abs % unit).toString().padStart(exponent, "0");
  return `${sign}${whole}.${fraction}` as Decimal;
}

const formats = new Map<string, Intl.NumberFormat>();

/**
 * `formatMoney(9675, {code: "EUR", exponent: 2}) === "€96.75"`. Intl reads a
 * decimal *string* exactly (it never converts it to a double), and adds the
 * symbol and digit grouping for the locale.
 */
export function formatMoney(minor: number, currency: Currency, locale = "en-US"): string {
  const decimal = toDecimal(minor, currency.exponent);
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
      // A code Intl does not know still gets a readable, exact price.
      return `${currency.code} ${decimal}`;
    }
    formats.set(key, format);
  }
  return format.format(decimal);
}
