export { KrbErrorCode, decodeKrbError, encodeKrbError, gssKrbErrorToken, krbErrorInToken, krbErrorName, spnegoRejectWithKrbError, type KrbError } from './krb-error.js';
