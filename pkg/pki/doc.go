// Package pki keeps a node's key material in one directory (normally
// <data-dir>/pki): the cluster CA, leaf certificates issued by it, the
// service-account signing key and kubeconfigs that embed them.
//
// Files are NAME.crt (0644) and NAME.key (0600) in PEM, inside a 0700
// directory. All keys are ECDSA P-256.
//
// The rules, in short:
//   - Missing files are generated; existing files are never silently
//     replaced. Every write is atomic (temp file, fsync, rename).
//   - A file that does not parse, a key that does not match its
//     certificate or a leaf that the CA on disk did not sign is an error
//     that names the files and the fix; nothing is regenerated over it.
//   - A leaf within 30 days of expiry is renewed, and a leaf whose subject,
//     SANs or usages differ from what the caller asks for (the node IP
//     changed) is reissued; both keep the existing key, so only the
//     certificate file is replaced and it cannot end up beside a key it
//     does not match. The caller learns of both through EnsureCert's
//     changed value.
//   - The CA is never regenerated or renewed automatically: a CA within 30
//     days of expiry is an error for the operator, who can renew it over
//     the same key with Store.RenewCA.
package pki
