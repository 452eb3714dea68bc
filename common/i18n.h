/*
 * i18n.h: every message meant for a person goes through _(), English in the
 * source, so that a message catalogue can serve operators in Chinese
 * (po/zh_CN.po; diag_init() binds the catalogue).  N_() marks a string in
 * a table for the catalogue; it is translated where it is printed, with
 * _().  ./configure --disable-nls builds without gettext: the English
 * text is printed as it is.
 */
#ifndef CEB_I18N_H
#define CEB_I18N_H

#if ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) ((char *)(s))
#define bindtextdomain(domain, dir) ((void)(dir), (domain))
#define textdomain(domain) (domain)
#endif
#define N_(s) (s)

#endif
