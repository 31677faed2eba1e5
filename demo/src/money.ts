// Money is an integer number of minor units everywhere (cents for EUR).
// Formatting uses integer division and remainder only: never a float.

export interface CurrencyInfo {
  code: string;
  exponent: number;
  symbol: string;
}

function pow10(exponent: number): number {
  let p = 1;
  for (let i = 0; i < exponent; i += 1) p *= 10;
  return p;
}

/** `1250` → `"12.50"` (exponent 2); `-5` → `"-0.05"`. */
export function formatAmount(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${String(minor)}`);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  if (exponent === 0) return `${sign}${abs}`;
  const unit = pow10(exponent);
  const major = Math.trunc(abs / unit);
  const fraction = String(abs % unit).padStart(exponent, "0");
  return `${sign}${major}.${fraction}`;
}

/** `1250` → `"€12.50"`. */
export function formatMoney(minor: number, currency: CurrencyInfo): string {
  const text = formatAmount(minor, currency.exponent);
  return text.startsWith("-") ? `-${currency.symbol}${text.slice(1)}` : `${currency.symbol}${text}`;
}
