package dev.mmict.hub;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The models against every PyTorch oracle fixture in {@code -Dmmict.oracle.dir} (the root pom
 * points it at {@code shared/oracle}); adding a fixture there adds a test.
 */
class OracleTest {

  @TestFactory
  Stream<DynamicTest> mhubMatchesEveryOracleFixture() throws IOException {
    return OracleFixtures.tests(OracleFixtures.oracleDirFromProperty(), "mhub",
        OracleFixtures::checkMhub);
  }

  @TestFactory
  Stream<DynamicTest> optMatchesEveryOracleFixture() throws IOException {
    return OracleFixtures.tests(OracleFixtures.oracleDirFromProperty(), "opt",
        OracleFixtures::checkOpt);
  }
}
