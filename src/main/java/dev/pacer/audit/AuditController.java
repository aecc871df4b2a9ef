package dev.pacer.audit;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The audit over HTTP, read from the history tables: a campaign's report (JSON), its messages (CSV),
 * its chart (SVG or PNG), and one message's trail.
 */
@RestController
@RequestMapping("/api")
public class AuditController {

    private final ReportReader reports;
    private final TrailReader trails;

    public AuditController(ReportReader reports, TrailReader trails) {
        this.reports = reports;
        this.trails = trails;
    }

    @GetMapping(value = "/campaigns/{campaign}/report", produces = MediaType.APPLICATION_JSON_VALUE)
    public CampaignReport report(@PathVariable String campaign) {
        return reports.read(campaignId(campaign)).withChart("/api/campaigns/" + campaign + "/chart.svg");
    }

    /** Streamed as it is read: a campaign of 100,000 messages is not held in memory. */
    @GetMapping(value = "/campaigns/{campaign}/messages.csv", produces = "text/csv")
    public ResponseEntity<StreamingResponseBody> messages(@PathVariable String campaign) {
        String id = campaignId(campaign);
        StreamingResponseBody body = out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            MessageExport.write(reports, id, writer);
            writer.flush();
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("text/csv; charset=UTF-8"))
                .header("Content-Disposition", "attachment; filename=\"" + campaign + "-messages.csv\"").body(body);
    }

    @GetMapping(value = "/campaigns/{campaign}/chart.svg", produces = "image/svg+xml")
    public byte[] chartSvg(@PathVariable String campaign) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CampaignChart.writeSvg(CampaignChart.of(CampaignTimeline.read(reports, campaignId(campaign))), out);
        return out.toByteArray();
    }

    @GetMapping(value = "/campaigns/{campaign}/chart.png", produces = MediaType.IMAGE_PNG_VALUE)
    public byte[] chartPng(@PathVariable String campaign) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CampaignChart.writePng(CampaignChart.of(CampaignTimeline.read(reports, campaignId(campaign))), out);
        return out.toByteArray();
    }

    @GetMapping(value = "/campaigns/{campaign}/messages/{number}/trail", produces = MediaType.APPLICATION_JSON_VALUE)
    public MessageTrail trail(@PathVariable String campaign, @PathVariable String number) {
        String id = campaignId(campaign);
        return trails.findMessage(id, number).flatMap(trails::read).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "campaign " + campaign + " has no message to " + number));
    }

    /** A message on its own (a real-time one submitted through the process API), by its process instance id. */
    @GetMapping(value = "/messages/{messageId}/trail", produces = MediaType.APPLICATION_JSON_VALUE)
    public MessageTrail trail(@PathVariable String messageId) {
        return trails.read(messageId).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no message with the instance id " + messageId + " in the history tables"));
    }

    /** A campaign's message by its key ({@code <campaign instance id>/<row>}), which a message its batch ended is known by. */
    @GetMapping(value = "/messages/{campaignId}/{row}/trail", produces = MediaType.APPLICATION_JSON_VALUE)
    public MessageTrail campaignMessageTrail(@PathVariable String campaignId, @PathVariable String row) {
        String key = campaignId + "/" + row;
        return trails.findMessage(key).flatMap(trails::read).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no message " + key + " in the history tables"));
    }

    private String campaignId(String campaign) {
        return reports.findCampaign(campaign).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "no campaign named " + campaign + " in the history tables"));
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, String>> notFound(ResponseStatusException e) {
        return ResponseEntity.status(e.getStatusCode()).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("error", String.valueOf(e.getReason())));
    }
}
