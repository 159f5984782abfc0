/**
 * Example engines for demos and tests; clearly examples, not a database.
 */
package io.vshard.examples;
