package dev.mmict.ops.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The allowed values of a string record component of a configuration record; {@link ConfigLoader}
 * rejects any other value (case-sensitively), listing the allowed ones.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface OneOf {

    /** The allowed values. */
    String[] value();
}
