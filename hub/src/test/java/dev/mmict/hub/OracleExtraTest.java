package dev.mmict.hub;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The models against the oracle fixtures of other shapes committed under
 * {@code src/test/resources/oracle-extra} (see the README there for how they were made).
 */
class OracleExtraTest {

  private static Path extraDir() throws URISyntaxException {
    URL url = OracleExtraTest.class.getResource("/oracle-extra");
    assertNotNull(url, "test resource folder oracle-extra is missing");
    return Path.of(url.toURI());
  }

  @TestFactory
  Stream<DynamicTest> mhubMatchesFixturesOfOtherShapes() throws Exception {
    return OracleFixtures.tests(extraDir(), "mhub", OracleFixtures::checkMhub);
  }

  @TestFactory
  Stream<DynamicTest> optMatchesFixturesOfOtherShapes() throws Exception {
    return OracleFixtures.tests(extraDir(), "opt", OracleFixtures::checkOpt);
  }
}
