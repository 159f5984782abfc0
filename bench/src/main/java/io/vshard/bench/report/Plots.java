package io.vshard.bench.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The two plots of a report, drawn with Java2D (headless), so that they need nothing beyond the JDK.
 */
final class Plots
{
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private Plots()
    {
    }

    /**
     * A bar.
     *
     * @param label  its name.
     * @param value  its length.
     * @param error  half-width of its error bar, NaN for none.
     * @param colour index into the palette.
     */
    record Bar(String label, double value, double error, int colour)
    {
    }

    /**
     * A curve.
     *
     * @param label  its name.
     * @param xs     x values.
     * @param ys     y values.
     * @param colour index into the palette.
     * @param dashed whether to draw it dashed.
     */
    record Curve(String label, double[] xs, double[] ys, int colour, boolean dashed)
    {
    }

    /** Horizontal bars with error bars, for throughput figures. */
    static void bars(final Path file, final String title, final String unit, final List<Bar> bars) throws IOException
    {
        final int rowHeight = 22;
        final int right = 40;
        final int top = 50;
        final Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        int labelWidth = 100;
        final Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        for (final Bar bar : bars)
        {
            labelWidth = Math.max(labelWidth, probe.getFontMetrics(font).stringWidth(bar.label()));
        }
        probe.dispose();
        final int left = labelWidth + 20;
        final int width = left + 600 + right;
        final int height = top + rowHeight * bars.size() + 60;
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = canvas(image, title);
        double max = 0;
        for (final Bar bar : bars)
        {
            max = Math.max(max, bar.value() + (Double.isNaN(bar.error()) ? 0 : bar.error()));
        }
        max = max <= 0 ? 1 : max * 1.05;
        final int plotWidth = width - left - right;
        g.setFont(font);
        for (int i = 0; i < bars.size(); i++)
        {
            final Bar bar = bars.get(i);
            final int y = top + i * rowHeight;
            final int length = (int)(plotWidth * bar.value() / max);
            g.setColor(PALETTE[bar.colour() % PALETTE.length]);
            g.fillRect(left, y + 3, Math.max(1, length), rowHeight - 6);
            g.setColor(Color.BLACK);
            g.drawString(bar.label(), 8, y + rowHeight - 7);
            if (!Double.isNaN(bar.error()))
            {
                final int lo = left + (int)(plotWidth * Math.max(0, bar.value() - bar.error()) / max);
                final int hi = left + (int)(plotWidth * (bar.value() + bar.error()) / max);
                final int mid = y + rowHeight / 2;
                g.drawLine(lo, mid, hi, mid);
                g.drawLine(lo, mid - 5, lo, mid + 5);
                g.drawLine(hi, mid - 5, hi, mid + 5);
            }
            g.drawString(String.format("%.1f", bar.value()), Math.min(left + length + 6, width - right - 30), y + 14);
        }
        final int axisY = top + rowHeight * bars.size() + 5;
        g.drawLine(left, axisY, width - right, axisY);
        for (int tick = 0; tick <= 5; tick++)
        {
            final int x = left + plotWidth * tick / 5;
            g.drawLine(x, axisY, x, axisY + 4);
            g.drawString(String.format("%.0f", max * tick / 5), x - 10, axisY + 18);
        }
        g.drawString(unit, left + plotWidth / 2 - 40, axisY + 38);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /**
     * Latency by percentile, HdrHistogram style: x is 1/(1-percentile) on a log scale (50%, 90%, 99%, ...), y the
     * latency on a log scale.
     */
    static void percentiles(final Path file, final String title, final List<Curve> curves) throws IOException
    {
        final int width = 1100;
        final int height = 650;
        final int left = 90;
        final int right = 330;
        final int top = 50;
        final int bottom = 70;
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = canvas(image, title);
        final double xMax = 6;
        double yMin = Double.MAX_VALUE;
        double yMax = 0;
        for (final Curve curve : curves)
        {
            for (final double y : curve.ys())
            {
                if (y > 0)
                {
                    yMin = Math.min(yMin, y);
                    yMax = Math.max(yMax, y);
                }
            }
        }
        if (yMax <= 0)
        {
            yMin = 1;
            yMax = 10;
        }
        final double logMin = Math.floor(Math.log10(yMin));
        final double logMax = Math.ceil(Math.log10(yMax)) + (Math.ceil(Math.log10(yMax)) == logMin ? 1 : 0);
        final int plotWidth = width - left - right;
        final int plotHeight = height - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.LIGHT_GRAY);
        final String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
        for (int decade = 0; decade <= xMax; decade++)
        {
            final int x = left + (int)(plotWidth * decade / xMax);
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(x, top, x, top + plotHeight);
            g.setColor(Color.BLACK);
            g.drawString(xLabels[decade], x - 18, top + plotHeight + 18);
        }
        for (double decade = logMin; decade <= logMax; decade++)
        {
            final int y = top + plotHeight - (int)(plotHeight * (decade - logMin) / (logMax - logMin));
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(left, y, left + plotWidth, y);
            g.setColor(Color.BLACK);
            final double value = Math.pow(10, decade);
            g.drawString(value >= 1 ? String.format("%.0f", value) : String.format("%s", value), 10, y + 4);
        }
        g.drawString("latency (us, log scale)", 10, top - 10);
        g.drawString("percentile", left + plotWidth / 2 - 30, top + plotHeight + 40);
        g.drawRect(left, top, plotWidth, plotHeight);
        for (int c = 0; c < curves.size(); c++)
        {
            final Curve curve = curves.get(c);
            g.setColor(PALETTE[curve.colour() % PALETTE.length]);
            g.setStroke(curve.dashed() ?
                new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[]{6, 4}, 0) :
                new BasicStroke(1.6f));
            int lastX = -1;
            int lastY = -1;
            for (int i = 0; i < curve.xs().length; i++)
            {
                final double fraction = curve.xs()[i];
                final double y = curve.ys()[i];
                if (fraction >= 1 || y <= 0)
                {
                    continue;
                }
                final double xLog = Math.min(xMax, Math.log10(1 / (1 - fraction)));
                final int px = left + (int)(plotWidth * xLog / xMax);
                final int py = top + plotHeight - (int)(plotHeight * (Math.log10(y) - logMin) / (logMax - logMin));
                if (lastX >= 0)
                {
                    g.drawLine(lastX, lastY, px, py);
                }
                lastX = px;
                lastY = py;
            }
            g.setStroke(new BasicStroke(1));
            final int legendY = top + 10 + c * 18;
            g.drawLine(left + plotWidth + 15, legendY - 4, left + plotWidth + 40, legendY - 4);
            g.setColor(Color.BLACK);
            g.drawString(curve.label(), left + plotWidth + 45, legendY);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static Graphics2D canvas(final BufferedImage image, final String title)
    {
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, 10, 25);
        return g;
    }
}
