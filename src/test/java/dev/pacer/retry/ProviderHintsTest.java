package dev.pacer.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pacer.retry.ProviderHints.QueueLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProviderHintsTest {

    private static final String BANDWIDTH_BODY = "{\"type\":\"max-message-queue-size-exceeded\","
            + "\"description\":\"The SMS queue for your account is full and cannot accept more messages right now. "
            + "Your allowed rate is 60 messages per minute. The capacity of this queue is 900 messages (15 minutes). "
            + "Reduce your message sending rate, or contact support to increase your allowed rate.\"}";

    private static final String GENESYS_BODY = "{\"message\":\"Rate limit exceeded the maximum. "
            + "Retry the request in [42] seconds\",\"code\":\"too.many.requests.retry.after\","
            + "\"status\":429,\"messageParams\":{},\"contextId\":\"5f1c2b3a-0000-4000-8000-000000000000\","
            + "\"details\":[],\"errors\":[]}";

    @Test
    void shouldReadRateAndCapacityFromBandwidthBody() {
        assertThat(ProviderHints.bandwidthQueueLimit(BANDWIDTH_BODY)).contains(new QueueLimit(60, 900));
    }

    @Test
    void shouldReportZeroCapacityWhenBandwidthOmitsIt() {
        String body = "{\"type\":\"max-message-queue-size-exceeded\","
                + "\"description\":\"Your allowed rate is 120 messages per minute.\"}";
        assertThat(ProviderHints.bandwidthQueueLimit(body)).contains(new QueueLimit(120, 0));
    }

    @Test
    void shouldToleratePrettyPrintedBandwidthBody() {
        String body = "{\n  \"type\" : \"max-message-queue-size-exceeded\",\n  \"description\" : "
                + "\"Your allowed rate is 1 message per minute. The capacity of this queue is 15 messages.\"\n}";
        assertThat(ProviderHints.bandwidthQueueLimit(body)).contains(new QueueLimit(1, 15));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {
            "",
            "not json at all",
            "<html>429 Too Many Requests</html>",
            "{\"type\":\"max-message-queue-size-exceeded\"}",
            "{\"description\":\"The SMS queue for your account is full.\"}",
            "{\"description\":\"Your allowed rate is 0 messages per minute.\"}",
            "{\"description\":\"Your allowed rate is 99999999999 messages per minute.\"}",
            "{\"message\":\"Your allowed rate is 60 messages per minute.\"}"
    })
    void shouldReturnEmptyForUnusableBandwidthBody(String body) {
        assertThat(ProviderHints.bandwidthQueueLimit(body)).isEmpty();
    }

    @Test
    void shouldReadRetrySecondsFromGenesysBody() {
        assertThat(ProviderHints.genesysRetrySeconds(GENESYS_BODY)).contains(Duration.ofSeconds(42));
    }

    @Test
    void shouldReadGenesysRetrySecondsWithoutBrackets() {
        String body = "{\"message\":\"Retry the request in 3 seconds\"}";
        assertThat(ProviderHints.genesysRetrySeconds(body)).contains(Duration.ofSeconds(3));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {
            "",
            "garbage",
            "{\"message\":\"Rate limit exceeded the maximum.\",\"code\":\"too.many.requests\"}",
            "{\"message\":\"Retry the request in [soon] seconds\"}"
    })
    void shouldReturnEmptyForUnusableGenesysBody(String body) {
        assertThat(ProviderHints.genesysRetrySeconds(body)).isEmpty();
    }

    @Test
    void shouldRejectQueueLimitWithoutPositiveRate() {
        assertThatThrownBy(() -> new QueueLimit(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messagesPerMinute");
    }

    @Test
    void shouldRejectQueueLimitWithNegativeCapacity() {
        assertThatThrownBy(() -> new QueueLimit(60, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
    }
}
