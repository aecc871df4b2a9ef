package dev.pacer.provider;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures show a request never reached the provider, and which leave its answer lost (the send in doubt). */
class ProviderExchangeTest {

    @Test
    void shouldKnowARequestThatCouldNotConnectNeverLeft() {
        assertThat(ProviderExchange.neverSent(new ConnectException("Connection refused"))).isTrue();
        assertThat(ProviderExchange.neverSent(new HttpHostConnectException("Connect to 127.0.0.1:9 failed"))).isTrue();
        assertThat(ProviderExchange.neverSent(new ConnectTimeoutException("Connect timed out"))).isTrue();
        assertThat(ProviderExchange.neverSent(new UnknownHostException("messaging.example"))).isTrue();
        assertThat(ProviderExchange.neverSent(new RuntimeException(new ConnectException("wrapped")))).isTrue();
    }

    @Test
    void shouldCallEveryOtherFailureAfterTheRequestAnAnswerLost() {
        assertThat(ProviderExchange.neverSent(new SocketTimeoutException("Read timed out"))).isFalse();
        assertThat(ProviderExchange.neverSent(new NoHttpResponseException("The target server failed to respond"))).isFalse();
        assertThat(ProviderExchange.neverSent(new ConnectionClosedException("Premature end of Content-Length delimited message body"))).isFalse();
        assertThat(ProviderExchange.neverSent(new SocketException("Connection reset"))).isFalse();
        assertThat(ProviderExchange.neverSent(null)).isFalse();
    }
}
