/**
 * TLS 1.3 with mutual authentication and node identity: a cluster certificate authority that issues node certificates
 * carrying the URI SAN {@code spiffe://<cluster>/node/<id>}, a trust manager that admits only certificates of one
 * cluster, and the QUIC TLS contexts built from them. Control plane only: nothing here runs per frame.
 */
package io.vshard.transport.tls;
