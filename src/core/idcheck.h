/* idcheck.h - check digits of Chinese identity numbers: USCC (GB 32100) and resident ID (GB 11643). */
#ifndef DISPUTED_IDCHECK_H
#define DISPUTED_IDCHECK_H

/*
 * The check character of a unified social credit code whose first 17
 * characters are `first17` (digits and uppercase letters from the code set
 * 0-9 A-H J-N P-R T-U W-Y). Returns 0 if `first17` is not 17 valid
 * characters.
 */
char idcheck_uscc_check_char(const char *first17);

/* True if `s` is an 18-character USCC whose check character is right. */
int idcheck_uscc(const char *s);

/*
 * The check character ('0'-'9' or 'X') of an 18-digit resident identity
 * number whose first 17 characters are `first17`. Returns 0 if `first17` is
 * not 17 digits.
 */
char idcheck_resident_check_char(const char *first17);

/*
 * True if `s` is an 18-character resident identity number: 17 digits, a
 * valid date of birth in positions 7-14 (1900-01-01 to 2099-12-31), and the
 * right check character (an uppercase or lowercase X is accepted).
 */
int idcheck_resident_id(const char *s);

#endif
