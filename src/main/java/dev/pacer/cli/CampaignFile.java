package dev.pacer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pacer.campaign.CampaignSpec;
import dev.pacer.campaign.InvalidCampaignException;
import dev.pacer.campaign.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A campaign file as {@code pacer run} reads it: strict UTF-8 text, its {@code recipientsFile}
 * resolved against the file's own folder (and kept inside it).
 */
record CampaignFile(Path file, String json) {

    /** @throws InvalidCampaignException for a file that is missing, unreadable or not UTF-8 */
    static CampaignFile read(Path file) {
        if (!Files.exists(file)) {
            throw new InvalidCampaignException("no such file " + file);
        }
        return new CampaignFile(file, TextFiles.read(file));
    }

    /** The folder its {@code recipientsFile} is read from. */
    Path dir() {
        return file.toAbsolutePath().getParent();
    }

    /** The campaign, checked whole against the provider accounts {@code providers}, as the server checks it. */
    CampaignSpec spec(Collection<String> providers, Instant now) {
        return CampaignSpec.parse(json, dir(), providers, now);
    }

    /**
     * The accounts the file names ({@code provider}, {@code fallbackProvider}): for a client that
     * leaves it to the server to say whether it has them.
     */
    Set<String> accountsNamed() {
        Set<String> named = new LinkedHashSet<>();
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            for (String field : new String[]{"provider", "fallbackProvider"}) {
                if (root != null && root.path(field).isTextual()) {
                    named.add(root.path(field).asText());
                }
            }
        } catch (IOException e) {
            // not JSON: the parse that follows says so
        }
        return named;
    }
}
