/** See this module's README. */
package dev.mmict.ops;
