/**
 * The {@code vshard} command line (picocli): {@code node}, {@code load}, {@code demo}, {@code stat},
 * {@code decode} and {@code certs}. Every subcommand is a thin user of the library's public API.
 */
package io.vshard.cli;
