package dev.pacer.audit;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The campaign chart: segments the provider accepted per second against the configured limit,
 * with the seconds in which 429s came back and the pauses marked, and, with receipts, the segments
 * delivered per second as a line. Drawn with JFreeChart, written
 * as SVG (JFreeSVG) or PNG.
 */
public final class CampaignChart {

    public static final int WIDTH = 1000;
    public static final int HEIGHT = 450;
    private static final Color ACCEPTED = new Color(0x2f6fb0);
    private static final Color LIMIT = new Color(0x333333);
    private static final Color RATE_LIMITED = new Color(0xd62728);
    private static final Color PAUSED = new Color(0xbbbbbb);
    private static final Color DELIVERED = new Color(0x2ca02c);

    private CampaignChart() {
    }

    /** The chart of a campaign's timeline. */
    public static JFreeChart of(CampaignTimeline timeline) {
        double span = Math.max(1, timeline.offset(timeline.end()));
        // one bar a second, or wider bars for a long campaign (at most about 600 of them)
        int bucket = (int) Math.max(1, Math.ceil(span / 600));
        XYSeries accepted = new XYSeries("segments accepted per second");
        XYSeries limited = new XYSeries("429 responses in the second");
        int buckets = (int) Math.max(1, Math.ceil(span / bucket));
        double[] segments = new double[buckets];
        int[] rateLimited = new int[buckets];
        for (CampaignTimeline.Send send : timeline.sends()) {
            int i = (int) Math.max(0, Math.min(buckets - 1, Math.floor(timeline.offset(send.at()) / bucket)));
            if (send.status() / 100 == 2) {
                segments[i] += send.segments();
            } else if (send.status() == 429) {
                rateLimited[i]++;
            }
        }
        for (int i = 0; i < buckets; i++) {
            accepted.add(i * (double) bucket + bucket / 2.0, segments[i] / bucket);
            if (rateLimited[i] > 0) {
                limited.add(i * (double) bucket + bucket / 2.0, rateLimited[i] / (double) bucket);
            }
        }
        XYSeries delivered = new XYSeries("segments delivered per second (receipts)");
        if (!timeline.delivered().isEmpty()) {
            double[] reached = new double[buckets];
            for (CampaignTimeline.Delivered d : timeline.delivered()) {
                reached[(int) Math.max(0, Math.min(buckets - 1, Math.floor(timeline.offset(d.at()) / bucket)))] += d.segments();
            }
            for (int i = 0; i < buckets; i++) {
                delivered.add(i * (double) bucket + bucket / 2.0, reached[i] / bucket);
            }
        }
        NumberAxis time = new NumberAxis("seconds since the campaign started");
        NumberAxis rate = new NumberAxis(bucket == 1 ? "segments per second" : "segments per second (mean of " + bucket + " s)");
        XYBarRenderer bars = new XYBarRenderer(0.05);
        bars.setBarPainter(new StandardXYBarPainter());
        bars.setShadowVisible(false);
        bars.setSeriesPaint(0, ACCEPTED);
        XYPlot plot = new XYPlot(new XYSeriesCollection(accepted), time, rate, bars);
        ((XYSeriesCollection) plot.getDataset()).setIntervalWidth(bucket);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));

        NumberAxis errors = new NumberAxis("429 responses per second");
        errors.setLabelPaint(RATE_LIMITED);
        errors.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        errors.setLowerBound(0);
        errors.setUpperBound(Math.max(1, limited.isEmpty() ? 1 : limited.getMaxY() * 1.2));
        XYLineAndShapeRenderer marks = new XYLineAndShapeRenderer(false, true);
        marks.setSeriesPaint(0, RATE_LIMITED);
        marks.setSeriesShape(0, new Line2D.Double(-5, -5, 5, 5).getBounds2D());
        plot.setDataset(1, new XYSeriesCollection(limited));
        plot.setRangeAxis(1, errors);
        plot.mapDatasetToRangeAxis(1, 1);
        plot.setRenderer(1, marks);

        if (!delivered.isEmpty()) {
            // beside the bars of what the provider took, a line of what reached the phones, on the same axis
            XYLineAndShapeRenderer line = new XYLineAndShapeRenderer(true, false);
            line.setSeriesPaint(0, DELIVERED);
            line.setSeriesStroke(0, new BasicStroke(1.5f));
            plot.setDataset(2, new XYSeriesCollection(delivered));
            plot.mapDatasetToRangeAxis(2, 0);
            plot.setRenderer(2, line);
        }

        double limit = timeline.segmentsPerMinute() / 60.0;
        if (limit > 0) {
            ValueMarker line = new ValueMarker(limit, LIMIT, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[]{6f, 4f}, 0f));
            line.setLabel(String.format(Locale.ROOT, "configured limit %d segments/min", timeline.segmentsPerMinute()));
            line.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            line.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(line, Layer.FOREGROUND);
            double highest = accepted.isEmpty() ? 0 : accepted.getMaxY();
            rate.setUpperBound(Math.max(highest, limit) * 1.25);
        }
        if (timeline.statedPerMinute() != null && timeline.statedPerMinute() < timeline.segmentsPerMinute()) {
            ValueMarker stated = new ValueMarker(timeline.statedPerMinute() / 60.0, RATE_LIMITED, new BasicStroke(1.5f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{2f, 3f}, 0f));
            stated.setLabel(String.format(Locale.ROOT, "rate the provider stated in a 429: %d/min", timeline.statedPerMinute()));
            stated.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
            stated.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addRangeMarker(stated, Layer.FOREGROUND);
        }
        for (CampaignTimeline.Pause pause : timeline.pauses()) {
            IntervalMarker paused = new IntervalMarker(timeline.offset(pause.from()),
                    pause.to() == null ? span : timeline.offset(pause.to()), PAUSED);
            paused.setAlpha(0.35f);
            paused.setLabel("paused");
            paused.setLabelAnchor(RectangleAnchor.TOP);
            paused.setLabelTextAnchor(TextAnchor.TOP_CENTER);
            plot.addDomainMarker(paused, Layer.BACKGROUND);
        }
        JFreeChart chart = new JFreeChart("Campaign " + timeline.campaign() + ": segments accepted per second", JFreeChart.DEFAULT_TITLE_FONT,
                plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Writes the chart as SVG. */
    public static void writeSvg(JFreeChart chart, OutputStream out) throws IOException {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        out.write(g.getSVGDocument().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the chart as PNG. */
    public static void writePng(JFreeChart chart, OutputStream out) throws IOException {
        ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
    }
}
