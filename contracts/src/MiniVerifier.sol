// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// An immutable contract: no proxy, no owner, no roles. Discovery reports it
/// as immutable.
contract MiniVerifier {
    function verify(bytes32 claim, bytes32 proof) external pure returns (bool) {
        return keccak256(abi.encodePacked(claim)) == proof;
    }
}
