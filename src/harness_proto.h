/* harness_proto.h - TODO */
