/*
 * i18n.h: every message meant for a person goes through _(), English in the
 * source, so that a message catalogue can serve operators in Chinese.
 */
#ifndef CEB_I18N_H
#define CEB_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
