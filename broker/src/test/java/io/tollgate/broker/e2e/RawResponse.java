package io.tollgate.broker.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** An HTTP/1.1 response read off a plain socket: its status, its head, and the body its Content-Length gives. */
record RawResponse(int status, String head, String body) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static RawResponse read(InputStream in) throws IOException {
    String head = readHead(in);
    int status = Integer.parseInt(head.substring(9, 12));
    String body = "";
    int length = head.toLowerCase(Locale.ROOT).indexOf("content-length:");
    if (status != 101 && length >= 0) {
      int size = Integer.parseInt(head.substring(length + 15, head.indexOf("\r\n", length)).trim());
      body = new String(in.readNBytes(size), StandardCharsets.UTF_8);
    }
    return new RawResponse(status, head, body);
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("the connection closed before a response's head ended: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  String errorCode() throws IOException {
    return JSON.readTree(body).get("error").get("code").asText();
  }
}
