# `make deb`: the Debian package, built by CPack from the release build. What goes in it:
#   /usr/bin/tracklake                    the binary (stripped)
#   /etc/tracklake/tracklake.toml         a conffile with safe defaults (127.0.0.1, no usable key)
#   /lib/systemd/system/tracklake.service the hardened unit (Type=notify)
#   /usr/share/doc/tracklake/             README, operations guide, option reference
# and maintainer scripts that add the tracklake system user and /var/lib/tracklake (postinst) and
# take them away again on purge (postrm). docs/operations.md describes installing and upgrading.
set(TL_DEB ${PROJECT_SOURCE_DIR}/deploy/debian)

install(TARGETS tracklake RUNTIME DESTINATION bin COMPONENT collector)
install(FILES ${TL_DEB}/tracklake.toml DESTINATION /etc/tracklake
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ COMPONENT collector)
install(FILES ${TL_DEB}/tracklake.service DESTINATION /lib/systemd/system COMPONENT collector)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
              ${PROJECT_SOURCE_DIR}/docs/config.md
        DESTINATION share/doc/tracklake COMPONENT collector)

set(CPACK_GENERATOR DEB)
# The collector's component only: the C++ client library's headers and CMake package
# (`cmake --install --component client`) are for developers, not for the service's hosts.
set(CPACK_COMPONENTS_ALL collector)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_PACKAGE_NAME tracklake)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "tracklake maintainers <maintainers@tracklake.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "event-tracking collector: HTTP to a write-ahead log to a data lake")
set(CPACK_PACKAGE_DESCRIPTION "tracklake accepts tracking events over HTTP, acknowledges them once they are \
durable in its write-ahead log, and delivers them in batches to a data lake: a local directory, \
S3 (Parquet or gzip NDJSON under Hive-style partitions) or Amazon Data Firehose.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from dpkg-shlibdeps; adduser for the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${TL_DEB}/postinst ${TL_DEB}/prerm ${TL_DEB}/postrm ${TL_DEB}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/deb)
include(CPack)
