/*
 * gen-keys.c: the TEST keys of testdata/keys (made by mkkeys.sh, copied
 * here by mkc.sh; do not edit).  ceb-gen signs its batches with them so
 * that they carry real signatures.  They are public: never use them for
 * anything but tests.
 */
#include "config.h"

#include "gen.h"

const char gen_rsa_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAMjZsoLy5F22GdWT\n"
    "Y0TP+/C+aNpsBEt3xW35UL9UjkdxFTQ/cdwVFksqSRkyQsUEKRrYEfFl6+qG39s3\n"
    "KaLhEcXSj6C9S1IiBNf0WmVipBdmDdryAVX+aX0kdvF3KPrRa2BboFIk9wcX4tV+\n"
    "oGXZbTHLdNucaU4HnWfvk6b26lr7AgMBAAECgYEAg/41B0OSeldbAPWcTjOUsXCg\n"
    "vbIw3Fu4vn4S57osypxxP+XV8LlW7ky6vzk9kfYbAU4v9IFzmavLX2gQD79zinBy\n"
    "WZtDF492gKewtvfVIiEgpCammNMIkMXt7l+qY6YA5Kt64N1LviKqZBmMGKS0W4Yn\n"
    "NlUI5GZcoDgP9s8anekCQQDtCKzIUZkiBV/GCGDmX9mbbekibyU4Vy7slDtH3jUp\n"
    "oW1PVplLR0fjMwp7PsPcpzxCQMOR5z6abykLSifnpcnHAkEA2OvZ6CsF2JVNyZwd\n"
    "6Q7e8Tzww1Dt11GLXFwDlVPMkN8ozANFtwkeGTp8D2GMZOrPbR6xW5shFyRNzpWr\n"
    "N4MFLQJBAK+tt0m82I9ThlljClaUgdbmDl18HQz16QxlDM7GTYauYzLjTzhw+0HU\n"
    "KZeQvF/E/y9nisuPpWGWs8fvTUYuJS8CQE0641EiiClNNu2xtIB2d++Bl+KiHJvN\n"
    "f4V5iRkQRcPKf/bqr1Z0W4/135eGTnrbktAx3klUGNrpZP5JETVpY10CQQDFy973\n"
    "cH3BO2meXYIthEien99z2oTxY1oHctEnf7ymxTnuWYvRGSNO/lkUqGuLCE4OPWAW\n"
    "VjRoMG18Us6emzD/\n"
    "-----END PRIVATE KEY-----\n"
    ;
const char gen_rsa_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIC5DCCAcygAwIBAgICEAEwDQYJKoZIhvcNAQELBQAwRTEZMBcGA1UEAwwQY2Vi\n"
    "dG9vbHMgdGVzdCBDQTEbMBkGA1UECgwSY2VidG9vbHMgVEVTVCBPTkxZMQswCQYD\n"
    "VQQGEwJDTjAeFw0yMDAxMDEwMDAwMDBaFw00OTEyMzEyMzU5NTlaME0xITAfBgNV\n"
    "BAMMGGNlYnRvb2xzIHRlc3Qgc2lnbmVyIFJTQTEbMBkGA1UECgwSY2VidG9vbHMg\n"
    "VEVTVCBPTkxZMQswCQYDVQQGEwJDTjCBnzANBgkqhkiG9w0BAQEFAAOBjQAwgYkC\n"
    "gYEAyNmygvLkXbYZ1ZNjRM/78L5o2mwES3fFbflQv1SOR3EVND9x3BUWSypJGTJC\n"
    "xQQpGtgR8WXr6obf2zcpouERxdKPoL1LUiIE1/RaZWKkF2YN2vIBVf5pfSR28Xco\n"
    "+tFrYFugUiT3Bxfi1X6gZdltMct025xpTgedZ++TpvbqWvsCAwEAAaNaMFgwCQYD\n"
    "VR0TBAIwADALBgNVHQ8EBAMCBsAwHQYDVR0OBBYEFHghVv0g60Ro/duLOadSUDZw\n"
    "SIKoMB8GA1UdIwQYMBaAFDoEwGbCEPjv/NtStEqeRjehXwaFMA0GCSqGSIb3DQEB\n"
    "CwUAA4IBAQBN8Vd895oqzYgyznp35/dDzKN/4KPRiaIY4wIZmT1o5FFe19Er4d70\n"
    "EZkdppRJmOSwTFA5ILLbq7vkC0YMt/gICMjs91ixtkbxW/5dPmes7J3t5WawjWJ3\n"
    "XP0F6FoSq4cYPvMfYFGmata6PE0sl4G8MYfcdOcEnQUdu5lMDY9Y9HSN8vPMbxG4\n"
    "xbmgXbeVirQZVoc2XUzEUsG4y3wZmCNyM68cC11yGLXgvFyFUVhChcZMpeu1WrTv\n"
    "2n2Erw74SJBD2GlJ4NwI2sfbgyjLDsQ/panlBYduHo9u+2jJWv5Zlx28Kvjm7Bwp\n"
    "R2645sJ2M8jB93aIaqtug/COuxVsVypi\n"
    "-----END CERTIFICATE-----\n"
    ;
const char gen_sm2_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQgqFCplrSjSwIsBdMK\n"
    "ZNTUfyGD4MJXd56AsSlhEuLzmmqhRANCAATxYQHoA/X5J/QGbjq/x5PnPdbKR6Vn\n"
    "rdEf5D9yd0piDSXDA9VVOt0PI4+WLkpM98FwJpGa3fWRhV9r4f2rwcwG\n"
    "-----END PRIVATE KEY-----\n"
    ;
const char gen_sm2_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICnTCCAYWgAwIBAgICEAIwDQYJKoZIhvcNAQELBQAwRTEZMBcGA1UEAwwQY2Vi\n"
    "dG9vbHMgdGVzdCBDQTEbMBkGA1UECgwSY2VidG9vbHMgVEVTVCBPTkxZMQswCQYD\n"
    "VQQGEwJDTjAeFw0yMDAxMDEwMDAwMDBaFw00OTEyMzEyMzU5NTlaME0xITAfBgNV\n"
    "BAMMGGNlYnRvb2xzIHRlc3Qgc2lnbmVyIFNNMjEbMBkGA1UECgwSY2VidG9vbHMg\n"
    "VEVTVCBPTkxZMQswCQYDVQQGEwJDTjBZMBMGByqGSM49AgEGCCqBHM9VAYItA0IA\n"
    "BPFhAegD9fkn9AZuOr/Hk+c91spHpWet0R/kP3J3SmINJcMD1VU63Q8jj5YuSkz3\n"
    "wXAmkZrd9ZGFX2vh/avBzAajWjBYMAkGA1UdEwQCMAAwCwYDVR0PBAQDAgbAMB0G\n"
    "A1UdDgQWBBQ6XfmijTaT8L4DJ84mbEQcnWUosTAfBgNVHSMEGDAWgBQ6BMBmwhD4\n"
    "7/zbUrRKnkY3oV8GhTANBgkqhkiG9w0BAQsFAAOCAQEAYGNy2Jhs48n+EHAx76Hf\n"
    "IBluDyfAN2c/uSOcQgt2lBh2bmL3YibpggwhSqFrYwFRdLdZUUIdeG94POdc69ac\n"
    "Z0o9hCp7nN4BVHeXJemd5HLVNGbHDrx8ouJ4UYw+7L5KpUXya1WhhT8N913e64Zs\n"
    "pvjG6ZksUj+U0KpASO3T/64aM7Ipn0jzVZ3+Um/9HKmdkm0R+QDGbot0nfuXc6LO\n"
    "CdHo6+AO1nn7yTFIGiEqn88t7ULoMyOe3Xp4POoLNNuKnjk2k7Fu5uEAilGCPnk7\n"
    "qXoih6Hl5kXLwq1R+5nXExP++xpc7G6YKzod2T07/TnGDR1HvF6J4OhpwziEuLE3\n"
    "tg==\n"
    "-----END CERTIFICATE-----\n"
    ;
const char gen_other_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICTjCCAbegAwIBAgICEAQwDQYJKoZIhvcNAQELBQAwTzEjMCEGA1UEAwwaY2Vi\n"
    "dG9vbHMgdGVzdCBzdHJhbmdlciBSU0ExGzAZBgNVBAoMEmNlYnRvb2xzIFRFU1Qg\n"
    "T05MWTELMAkGA1UEBhMCQ04wHhcNMjAwMTAxMDAwMDAwWhcNNDkxMjMxMjM1OTU5\n"
    "WjBPMSMwIQYDVQQDDBpjZWJ0b29scyB0ZXN0IHN0cmFuZ2VyIFJTQTEbMBkGA1UE\n"
    "CgwSY2VidG9vbHMgVEVTVCBPTkxZMQswCQYDVQQGEwJDTjCBnzANBgkqhkiG9w0B\n"
    "AQEFAAOBjQAwgYkCgYEA0JfoU7BZhVRRrdlMIUXCPCR/dL7hAwi2tAzLe/Z/D/yD\n"
    "29wScyuP1hHR+5mIa6WAz4AYnkIrafU3flBj2qGREx56b074VndOzhW6fdLv1dYH\n"
    "CEHXHoVbFkWcGt3XI3tdDmyiDIw0HwZ6xfUX31R1D2fbKyWtK/XdArteShJs8aUC\n"
    "AwEAAaM5MDcwCQYDVR0TBAIwADALBgNVHQ8EBAMCBsAwHQYDVR0OBBYEFK9QdYPV\n"
    "pzpt1IyunvjGEo6Xl8JWMA0GCSqGSIb3DQEBCwUAA4GBABwZFOH7lNgy9VRb3jxP\n"
    "MRJr7hHi7LsbUFI2Cbnkq2MUvDcGsnOAIAk2UZMOq/DCjyL3tVFdHi6NHoLkB+C5\n"
    "7dHHJUY4fVbsITEkBZLdFgLvAjyDVAIgFjN7a12W8d0pLIN70NnvhnW+dQe5xHau\n"
    "OydsQdXkaVWxaHK9ypaTJqPn\n"
    "-----END CERTIFICATE-----\n"
    ;
