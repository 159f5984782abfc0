/**
 * The result vocabulary shared by every non-blocking API of the project: {@link io.vshard.core.flow.FlowResult}'s
 * negative flow conditions, as Aeron's {@code Publication} has them.
 */
package io.vshard.core.flow;
