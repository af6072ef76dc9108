/* focus.h - the dispute-focus classifier: which of nine foci a Chinese complaint raises, how surely, and the phrases that said so. */
#ifndef DISPUTED_FOCUS_H
#define DISPUTED_FOCUS_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/*
 * A model is a linear classifier over the character n-grams of the
 * normalised text (no word segmenter): one weight per n-gram and class,
 * plus a bias per class. It is trained with LIBLINEAR (focus_train.h) and
 * kept in a small text file whose format docs/assist.md describes. A
 * loaded model is never changed, so any number of threads may classify
 * with one model at once; each call uses only its own memory.
 *
 * What a result says is a suggestion for a person to confirm, never a
 * decision.
 */

/* Where the committed default model lives, relative to a checkout. */
#define FOCUS_DEFAULT_MODEL "etc/focus.model"

/* Most bytes of one text; a longer one is refused with RC_TOOBIG. */
#define FOCUS_MAX_TEXT (64 * 1024)

/* Longest n-gram a model may use, in characters. */
#define FOCUS_MAX_N 5

/* Most phrases a result names, and the size of each (a whole n-gram fits). */
#define FOCUS_MAX_PHRASES 5
#define FOCUS_PHRASE_MAX (FOCUS_MAX_N * 4 + 1)

/* The dispute foci, in the taxonomy's order (shared/data/focus/README.md). */
enum focus_class {
	FOCUS_NOT_RECEIVED,      /* not delivered, late, lost, damaged in transit */
	FOCUS_NOT_AS_DESCRIBED,  /* differs from the listing, wrong or missing item */
	FOCUS_QUALITY,           /* defective, broken, spoiled, poor workmanship */
	FOCUS_COUNTERFEIT,       /* fake, pirated, refurbished sold as new */
	FOCUS_FALSE_ADVERTISING, /* the seller's claims were false */
	FOCUS_PRICE,             /* price changed, fake discount, invoice */
	FOCUS_AFTER_SALES,       /* return, refund, warranty, service refused */
	FOCUS_SAFETY,            /* harm to health or safety */
	FOCUS_NO_CLAIM,          /* an opinion with nothing to claim */
	FOCUS__COUNT
};

/* The classes' names ("not_received", …), indexed by enum focus_class, then NULL. */
extern const char *const focus_class_names[FOCUS__COUNT + 1];

/* The class named by the `len` bytes at `s`, or -1 if there is none. */
int focus_class_parse(const char *s, size_t len);

/* What the classifier says of one text. The caller owns it (no pointers inside). */
struct focus_result {
	int primary;                    /* enum focus_class with the highest score */
	double scores[FOCUS__COUNT];    /* per class, each in [0,1], summing to 1; 0 for
					   a class the model was not trained on */
	int nphrases;                   /* phrases filled, 0..FOCUS_MAX_PHRASES */
	char phrases[FOCUS_MAX_PHRASES][FOCUS_PHRASE_MAX]; /* n-grams of the normalised text
							      that weighed most for `primary` */
};

struct focus_model;

/*
 * Load and check the model file at `path` (NULL: FOCUS_DEFAULT_MODEL, as
 * seen from the working directory). Any fault — a missing file, a wrong
 * version, a checksum that does not match (a truncated or edited file), a
 * malformed line, a limit passed — fails with RC_IO or RC_INVAL and a
 * message naming the file. On success *out is the model, freed with
 * focus_free; on failure *out is NULL.
 */
int focus_load(const char *path, struct focus_model **out, struct err *e) WARN_UNUSED;

/*
 * Classify the `len` bytes at `text` (UTF-8, no NUL; at most
 * FOCUS_MAX_TEXT bytes) into `r`. Fails with RC_INVAL for text that is not
 * UTF-8, RC_TOOBIG for text that is too long, RC_NOMEM; `r` is then
 * undefined. An empty text gets the model's prior (its biases alone).
 * Safe to call from many threads with the same model.
 */
int focus_classify(const struct focus_model *m, const char *text, size_t len,
		   struct focus_result *r, struct err *e) WARN_UNUSED;

/* The classes the model scores (enum focus_class), ascending, into `out`; returns how many. */
int focus_model_classes(const struct focus_model *m, int out[FOCUS__COUNT]);

/* Free a model; NULL is a no-op. */
void focus_free(struct focus_model *m);

/*
 * `r` as {"primary":…,"scores":{all nine classes, taxonomy order},"phrases":[…]}.
 * Returns a new reference, or NULL on allocation failure.
 */
json_t *focus_result_json(const struct focus_result *r);

#endif
