package dev.amqptasks.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules: the API that applications type ({@code dev.amqptasks}) depends on no
 * other package of amqp-tasks, the extension points ({@code dev.amqptasks.spi}) only on
 * the API, and no two packages depend on each other.
 */
@Tag("fast")
class PackageStructureTests {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.amqptasks");

	@Test
	void packagesAreFreeOfCycles() {
		slices().matching("dev.amqptasks.(*)..").should().beFreeOfCycles().check(CLASSES);
	}

	@Test
	void theApiDependsOnNoOtherPackageOfAmqpTasks() {
		classes().that()
			.resideInAPackage("dev.amqptasks")
			.should()
			.onlyDependOnClassesThat(resideOutsideOfPackage("dev.amqptasks..").or(resideInAPackage("dev.amqptasks")))
			.check(CLASSES);
	}

	@Test
	void theExtensionPointsDependOnlyOnTheApi() {
		classes().that()
			.resideInAPackage("dev.amqptasks.spi")
			.should()
			.onlyDependOnClassesThat(resideOutsideOfPackage("dev.amqptasks..")
				.or(resideInAnyPackage("dev.amqptasks", "dev.amqptasks.spi")))
			.check(CLASSES);
	}

	@Test
	void theRulesSeeTheMainClasses() {
		// Guards the rules above against passing on an empty import.
		assertThat(CLASSES.containPackage("dev.amqptasks.spi")).isTrue();
		assertThat(CLASSES.containPackage("dev.amqptasks.worker")).isTrue();
	}

}
