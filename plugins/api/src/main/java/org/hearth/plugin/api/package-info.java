/**
 * The Hearth plugin API ({@link org.hearth.plugin.api.PluginApi#VERSION}). Plugins are PF4J jars: extensions
 * annotated with {@code @org.pf4j.Extension} implement the extension points {@link org.hearth.plugin.api.EventCheck}, {@link org.hearth.plugin.api.EventObserver},
 * {@link org.hearth.plugin.api.PluginRoutes}, {@link org.hearth.plugin.api.ClientExtension}, {@link org.hearth.plugin.api.SyncExtension}, {@link org.hearth.plugin.api.WebPages} and
 * {@link org.hearth.plugin.api.ScheduledTask}, and reach the server through {@link org.hearth.plugin.api.Homeserver}.
 * A plugin depends on this module and {@code hearth-spec}, both with scope {@code provided}.
 */
package org.hearth.plugin.api;
