package io.vshard.transport.server;

import io.netty.buffer.ByteBuf;
import io.netty.incubator.codec.quic.QuicTokenHandler;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Address validation with QUIC Retry tokens (RFC 9000 section 8.1.2): an Initial without a token gets a Retry
 * carrying one, and the server keeps state only for an Initial that echoes a valid token, so a peer must receive at
 * the address it claims before the server spends a handshake on it. A flood of Initials whose answers are dropped,
 * or whose source addresses are spoofed, costs one stateless Retry packet each.
 * <p>
 * The token, 40 bytes plus the original destination connection id:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    expiry (u64, ms, monotonic)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HMAC-SHA256(key, expiry | peer IP address | original dcid)   |
 * |                          (32 bytes)                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 original destination connection id           ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The key is drawn from {@link SecureRandom} per instance (one per server, so per process start): tokens of another
 * process or an earlier run are refused. Called by the QUIC codec on its I/O threads; thread-safe (one {@link Mac}
 * per thread).
 */
final class RetryTokenHandler implements QuicTokenHandler
{
    /** How long a token stays valid: a Retry is answered within one round trip. */
    static final long TOKEN_LIFETIME_MS = 10_000;

    private static final String ALGORITHM = "HmacSHA256";
    private static final int EXPIRY_LENGTH = 8;
    private static final int MAC_LENGTH = 32;
    private static final int ODCID_OFFSET = EXPIRY_LENGTH + MAC_LENGTH;
    private static final int MAX_CONNECTION_ID_LENGTH = 20;

    private final SecretKeySpec key;
    private final long lifetimeMs;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    /**
     * A handler with a fresh random key and the default lifetime.
     */
    RetryTokenHandler()
    {
        this(TOKEN_LIFETIME_MS);
    }

    /**
     * A handler with a fresh random key.
     *
     * @param lifetimeMs how long a token stays valid.
     */
    RetryTokenHandler(final long lifetimeMs)
    {
        final byte[] secret = new byte[MAC_LENGTH];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, ALGORITHM);
        this.lifetimeMs = lifetimeMs;
        newMac();
    }

    /**
     * {@inheritDoc}
     */
    public boolean writeToken(final ByteBuf out, final ByteBuf dcid, final InetSocketAddress address)
    {
        final long expiryMs = nowMs() + lifetimeMs;
        out.writeLong(expiryMs);
        out.writeBytes(mac(expiryMs, address, dcid, dcid.readerIndex(), dcid.readableBytes()));
        out.writeBytes(dcid, dcid.readerIndex(), dcid.readableBytes());
        return true;
    }

    /**
     * {@inheritDoc}
     */
    public int validateToken(final ByteBuf token, final InetSocketAddress address)
    {
        final int start = token.readerIndex();
        final int odcidLength = token.readableBytes() - ODCID_OFFSET;
        if (odcidLength < 0 || odcidLength > MAX_CONNECTION_ID_LENGTH)
        {
            return -1;
        }
        final long expiryMs = token.getLong(start);
        final long nowMs = nowMs();
        if (nowMs > expiryMs || expiryMs - nowMs > lifetimeMs)
        {
            return -1;
        }
        final byte[] expected = mac(expiryMs, address, token, start + ODCID_OFFSET, odcidLength);
        final byte[] actual = new byte[MAC_LENGTH];
        token.getBytes(start + EXPIRY_LENGTH, actual);
        return MessageDigest.isEqual(expected, actual) ? ODCID_OFFSET : -1;
    }

    /**
     * {@inheritDoc}
     */
    public int maxTokenLength()
    {
        return ODCID_OFFSET + MAX_CONNECTION_ID_LENGTH;
    }

    private byte[] mac(
        final long expiryMs, final InetSocketAddress address, final ByteBuf cid, final int offset, final int length)
    {
        final Mac mac = macs.get();
        for (int shift = 56; shift >= 0; shift -= 8)
        {
            mac.update((byte)(expiryMs >>> shift));
        }
        mac.update(address.getAddress().getAddress());
        final byte[] id = new byte[length];
        cid.getBytes(offset, id);
        mac.update(id);
        return mac.doFinal();
    }

    private Mac newMac()
    {
        try
        {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ALGORITHM + " unavailable", ex);
        }
    }

    private static long nowMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }
}
