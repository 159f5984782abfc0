/**
 * Where an envelope goes: the {@link io.vshard.core.dispatch.DispatchTarget} every message type maps to (an array
 * lookup by wire code, see {@link io.vshard.core.wire.MessageType#target()}), and the
 * {@link io.vshard.core.dispatch.LaneLayout} that assigns targets to lanes, with each lane's CPU and wait strategy.
 * <p>
 * Everything here is immutable once built and safe to read from any thread.
 */
package io.vshard.core.dispatch;
