/** NHS number check: ten digits, Modulus 11 check digit (a remainder of 10 is never valid). */
export function isValidNhsNumber(value: string): boolean {
  if (!/^\d{10}$/.test(value)) return false;
  let total = 0;
  for (let i = 0; i < 9; i++) total += Number(value[i]) * (10 - i);
  const check = (11 - (total % 11)) % 11;
  return check !== 10 && check === Number(value[9]);
}
