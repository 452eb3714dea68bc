/* confdefs.h */
#define PACKAGE_NAME "cebtools"
#define PACKAGE_TARNAME "cebtools"
#define PACKAGE_VERSION "0.1.0"
#define PACKAGE_STRING "cebtools 0.1.0"
#define PACKAGE_BUGREPORT ""
#define PACKAGE_URL ""
#define PACKAGE "cebtools"
#define VERSION "0.1.0"
/* end confdefs.h.  */

int
main (void)
{
#ifndef __GNUC__
       choke me
#endif

  ;
  return 0;
}
