// A JVM client as an app's backend or Android unit tests would use: the
// standard HTTP clients, told nothing about the proxy but what the README's
// JVM recipe sets (JAVA_TOOL_OPTIONS).
import java.net.HttpURLConnection;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class Track {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.getDefault()).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://api.segment.io/v1/track"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"user-4242\"}"))
            .build();
        System.out.println(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpURLConnection legacy = (HttpURLConnection) URI.create("https://api.mixpanel.com/track?ip=1").toURL().openConnection();
        System.out.println(legacy.getResponseCode());
    }
}
